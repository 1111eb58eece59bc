"""adapters/: translate platform events to bot.Message / bot.Reply and back; own acks, retries, limits, formatting."""
