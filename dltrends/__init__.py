"""dltrends: shared contracts of the project (version, settings, registry, errors).

The data path lives in the sibling packages: collectors -> warehouse -> jobs -> dashboard.
This package holds only what every one of them agrees on.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dltrends")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

USER_AGENT = f"dltrends/{__version__} (+https://github.com/dltrends/dltrends)"
