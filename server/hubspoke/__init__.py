"""hubspoke: a knowledge graph of security alignments in the Asia-Pacific."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hubspoke")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
