"""`python -m bot ...`: see `bot.cli`."""

import gc
import sys

from bot.cli import main

code = main()
# The process ends now: the full collection at interpreter exit would walk every object the command
# made (the corpus catalogue and index of a large corpus: ~0.3 s at 1M paragraphs) to free memory
# the operating system takes back anyway.
gc.freeze()
sys.exit(code)
