"""buurtnet: a federated, non-commercial neighbourhood social network."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("buurtnet")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0.1.0"
