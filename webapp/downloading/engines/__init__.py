"""The download engines: HTTP with Range resume, HLS, progress reporting, disk space.

`transfer.transfer` picks the engine by the media's kind. Engines know no database: a
media URL and a part file path go in, a finished part file comes out.
"""
