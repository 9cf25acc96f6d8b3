"""Write skew between two boto3 clients whose requests name their operation (docs/analyze.md recipe).

argv[1]: the endpoint. Two on-call doctors each read both rows in their operation, then each takes
themself off: the interleaving is this script's.
"""
import contextvars
import sys

import boto3

# The recipe: a context variable holds the current operation, and a botocore event hook sends it.
operation = contextvars.ContextVar("operation", default=None)


def simpledb_client(name):
    sdb = boto3.client(
        "sdb",
        endpoint_url=sys.argv[1],
        region_name="us-east-1",
        aws_access_key_id="AKIDOPS",
        aws_secret_access_key="ops-secret",
    )

    def name_request(request, **kwargs):
        request.headers["X-SimpleDB-Client"] = name
        if operation.get() is not None:
            request.headers["X-SimpleDB-Operation"] = operation.get()

    sdb.meta.events.register("before-sign.sdb", name_request)
    return sdb


def read(sdb, item):
    sdb.get_attributes(DomainName="oncall", ItemName=item, ConsistentRead=True)


def leave(sdb, item):
    sdb.put_attributes(DomainName="oncall", ItemName=item, Attributes=[{"Name": "oncall", "Value": "false", "Replace": True}])


alice, bob = simpledb_client("alice"), simpledb_client("bob")
alice.create_domain(DomainName="oncall")
for item in ("alice", "bob"):
    alice.put_attributes(DomainName="oncall", ItemName=item, Attributes=[{"Name": "oncall", "Value": "true", "Replace": True}])
steps = [(alice, read, "alice"), (alice, read, "bob"), (bob, read, "alice"), (bob, read, "bob"), (alice, leave, "alice"), (bob, leave, "bob")]
for sdb, step, item in steps:
    token = operation.set("leave-shift")
    step(sdb, item)
    operation.reset(token)
