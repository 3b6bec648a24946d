"""Thin entry point: `python generate.py poster --lang en`."""

from awareprint.cli import main

if __name__ == "__main__":
    main()
