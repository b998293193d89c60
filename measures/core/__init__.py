"""The shared kernel: what every feature uses (permissions, text and dates, templates, spreadsheets)."""
