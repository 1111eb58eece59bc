"""bot/: the assistant — one `Message` in, one `Reply` out. Never imports Slack or Telegram."""
