"""Amazon S3 as the real service behaves where moto's differs: :mod:`.conditional` (atomic
conditional writes)."""
