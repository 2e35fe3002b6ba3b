"""Open-file limits for the processes that hold thousands of sockets."""
import resource

FILE_LIMIT = 65536


def raise_file_limit():
    """preexec_fn: as root the hard limit can be raised too; otherwise up to the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for wanted in ((FILE_LIMIT, max(hard, FILE_LIMIT)), (min(FILE_LIMIT, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, wanted)
            return
        except (ValueError, OSError):
            continue
