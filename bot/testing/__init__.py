"""Test doubles shipped with the bot, for its tests, its benchmarks and anyone extending it.

* `fake_telegram`: a Bot API server on 127.0.0.1 that records what the bot sends;
* `fake_discord`: the same for Discord's HTTP API and gateway payloads;
* `telegram_harness`: runs the real bot (`python -m bot telegram`) against the fake;
* `discord_harness`: logs the real Discord client in against its fake, in the test's event loop;
* `cli`: runs `python -m bot …` in a child process.

Only Telegram's and Discord's servers are faked, at the wire: everything of ours runs for real.
"""
