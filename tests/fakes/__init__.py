"""Working fakes of the platforms (Slack Web API, Telegram Bot API) and a scripted assistant."""
