"""The command-line interface: parse flags, call the library, print. Nothing else."""

import os

from cardaudit.settings import set_aside_bad_endpoint

set_aside_bad_endpoint(os.environ)  # before any command module imports huggingface_hub
