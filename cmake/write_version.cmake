# Writes the version header at build time, so that the git revision a binary reports is the
# one it was built from (with -dirty for uncommitted changes). configure_file leaves the file
# untouched when nothing changed, so this triggers no rebuild by itself.
# Inputs: SOURCE_DIR, INPUT, OUTPUT, PROJECT_VERSION.
set(EYESWEEP_GIT_REVISION "unknown")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE rev
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rev_rc)
  if(rev_rc EQUAL 0 AND rev)
    set(EYESWEEP_GIT_REVISION ${rev})
    execute_process(COMMAND ${GIT_EXECUTABLE} diff --quiet HEAD
                    WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE dirty ERROR_QUIET)
    if(NOT dirty EQUAL 0)
      string(APPEND EYESWEEP_GIT_REVISION "-dirty")
    endif()
  endif()
endif()
configure_file(${INPUT} ${OUTPUT} @ONLY)
