"""MediaConnect as the real service behaves, on moto's backend (laid out like ``moto.mediaconnect``).

:mod:`.models` holds the operations, :mod:`.responses` the HTTP handlers, :mod:`.shapes` the response
shapes; :mod:`.asynchronous` the UPDATING window and flow messages; :mod:`.signal`, :mod:`.monitor`,
:mod:`.metrics` and :mod:`.testcard` what a source receives and how it is reported; :mod:`.network`
the EC2 side of flows; :mod:`.exceptions` the errors moto's MediaConnect lacks.
"""
