# Read by `flask` commands (python-dotenv): a development checkout works without exporting anything.
# Production sets MM_SECRET_KEY and leaves MM_ENV_NAME unset in its environment; values already in
# the environment win over this file, and gunicorn never reads it.
FLASK_APP=app
MM_ENV_NAME=development
