"""Chat adapters (Telegram, Discord, CLI, local chat) over the retrieval core."""
