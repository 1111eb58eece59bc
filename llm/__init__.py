"""llm/: the one place that resolves and loads the language model (base + LoRA adapter),
used by both the assistant (bot/) and the trainer (training/); generation backends."""
