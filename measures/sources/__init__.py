"""Source documents as text: reading them in, their paragraphs, and checking quotes against them."""
