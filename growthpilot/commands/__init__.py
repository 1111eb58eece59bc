"""One module per sub-command: `register(sub, parent)` adds its parser with `handler=run`."""
