"""Stage 2, checking: the tick, which sources are due, the check job, its store and rules.

`tick.tick` (run by `rq cron` through workers.tick) claims due sources (`due`) and
enqueues one check per source (`enqueue`); a check (`runs` + `checker`) fetches the
source once, writes its episodes and every item on it (`store`), and creates the
pending downloads that stage 3 dispatches.
"""
