"""CloudFormation as the service runs it, on moto's CloudFormation (laid out like ``moto.cloudformation``).

:mod:`.resources` holds the resource models, one module per resource family; :mod:`.failures`,
:mod:`.changesets` and :mod:`.updates` the stack statuses, change sets and stack updates;
:mod:`.templates_yaml` the reading of YAML templates (not ``yaml.py``: a module of that name
would shadow PyYAML in every module that imports it by name, as the tests and the patch registry do).
"""
