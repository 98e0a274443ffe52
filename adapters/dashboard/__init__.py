"""The owners' dashboard in the browser: HTML pages over bot.dashboard, on the bot's server."""
