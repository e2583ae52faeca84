"""MediaConnect Router in the emulator: router network interfaces, inputs and outputs, and routes.

moto has no Router API at all. These modules add it on moto's MediaConnect server, laid out like the
rest of :mod:`..`: :mod:`.store` holds the resources, their states and the asynchronous transitions
(CREATING, STARTING, STOPPING, ROUTING); :mod:`.operations` the operations with their checks (quotas,
tiers, routing compatibility, the flow a MEDIACONNECT_FLOW output feeds); :mod:`.shapes` renders
them in botocore's response shapes; :mod:`.handlers` the HTTP handlers and URL patterns
(installed by :mod:`...patching`); :mod:`.monitor` GetRouterInputSourceMetadata and
GetRouterInputThumbnail. Each behaviour names the AWS page it follows in its docstring and in
docs/emulator-fidelity.md ("MediaConnect Router").
"""
