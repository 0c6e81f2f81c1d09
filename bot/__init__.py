"""gigbot: a freelance marketplace that lives in chat."""
