"""What the plotting scripts (plot_sweep.py, plot_eye.py) share: the user-error type, HDF5 text
attributes and the command driver (exit status 2 and one line for bad input, the PNG written
only after the plot succeeded)."""
import sys


class UsageError(Exception):
    """Bad input from the user (file, group, dataset or option): exit status 2."""


def text(value):
    """An HDF5 string attribute as str (h5py gives bytes for fixed-length strings)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def run(prog, parser, open_source, argv=None):
    """Parses argv, opens the source (args.file) with open_source(args), draws args.function's
    figure from it and saves it to args.output; returns the exit status."""
    args = parser.parse_args(argv)
    try:
        source = open_source(args)
        try:
            fig = args.function(source, args)
        finally:
            source.close()
        fig.savefig(args.output, dpi=120)
    except (UsageError, OSError) as e:
        print(f"{prog} {args.command}: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}")
    return 0
