"""The embedded AWS sandbox: moto's server plus streamfabric's extension for it.

Laid out like moto (``moto/<service>/...``): :mod:`.mediaconnect`, :mod:`.cloudformation` (its
resource models in :mod:`.cloudformation.resources`, one module per resource family) and
:mod:`.ec2` hold what each service does as AWS does it; :mod:`.dispatch` speeds up moto's server.
:mod:`.patching` is the one ordered registry of what the extension changes in moto, applied by
``patching.install()`` (:mod:`.patch`: how a patch is applied and checked), and
:mod:`.moto_internals` the one place that touches moto's private attributes. :mod:`.server` runs
moto's server in this process; :mod:`.presets` makes what a topology expects to exist.
"""
