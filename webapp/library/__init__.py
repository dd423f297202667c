"""Stage 4, the library: where a finished file goes and what it is called (`layout`)."""
