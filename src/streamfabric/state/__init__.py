"""The runtime state: the document deploy writes and switching reads (:mod:`.runtime`), and where it
lives, read and written as a local file or an S3 object (:mod:`.store`)."""
