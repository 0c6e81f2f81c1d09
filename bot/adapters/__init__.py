"""Transports: each turns platform updates into core Inbound events and core Screens into messages."""
