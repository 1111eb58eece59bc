"""training/: LoRA fine-tuning with peft, datasets, evaluation. Never imports adapters/."""
