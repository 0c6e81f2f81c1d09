"""Conversation flows (one file each), the engine that runs them, and the test harness that drives it."""
