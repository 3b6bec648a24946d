"""Where the content shipped inside the package lives (awareprint/data/).

Found once through importlib.resources, so that an editable checkout, a wheel and pipx all read the same
files. Every stage may use it.
"""

from importlib.resources import files
from pathlib import Path

DATA = Path(str(files("awareprint").joinpath("data")))
