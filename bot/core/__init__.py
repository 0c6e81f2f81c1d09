"""Domain and services. Transport-free: speaks the neutral UI model of ui.py, never a platform API."""
