"""The API keys the provider fakes require; anything else gets the provider's rejection."""

OPENAI_KEY = "sk-test-openai"
GEMINI_KEY = "test-gemini-key"
SERPAPI_KEY = "test-serpapi-key"
