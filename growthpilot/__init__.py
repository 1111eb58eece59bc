"""growthpilot: the command line and the wiring of config → knowledge → model → assistant → adapters."""

__version__ = "0.1.0"
