-- GET: a plain request (no response hook, as the anchor's get.lua), only adds the JSON summary line.
dofile(os.getenv("BENCH_LOAD_DIR") .. "/report.lua")
