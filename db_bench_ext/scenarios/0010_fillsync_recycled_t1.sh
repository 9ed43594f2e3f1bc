#!/bin/bash
# what: fillsync with recycled WALs after a warm-up, 1 thread; default = stock without recycling
# durable: yes
. "$(dirname "$0")/common.sh"
run_fillsync_recycled 1
