"""A test a user might write: a counter incremented by reading it and writing it back, run in
sequence. Correct against a strongly consistent store; under eventual consistency a read may
return an old value and an increment is lost. Exits 1 when the final count is wrong.
Usage: naive_counter.py [conditional]: with `conditional` each write is conditional on the value
read, and a failed condition is retried with a consistent read (the correct way)."""
import os, sys
import boto3
from botocore.exceptions import ClientError

conditional = len(sys.argv) > 1 and sys.argv[1] == "conditional"
sdb = boto3.client("sdb", endpoint_url=os.environ["SIMPLEDB_ENDPOINT"], region_name="us-east-1",
                   aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
sdb.create_domain(DomainName="counters")
sdb.put_attributes(DomainName="counters", ItemName="c", Attributes=[{"Name": "n", "Value": "0", "Replace": True}])
N = 10
for _ in range(N):
    consistent = False
    for attempt in range(50):
        got = sdb.get_attributes(DomainName="counters", ItemName="c", ConsistentRead=consistent)
        value = {a["Name"]: a["Value"] for a in got.get("Attributes", [])}.get("n", "0")
        put = dict(DomainName="counters", ItemName="c", Attributes=[{"Name": "n", "Value": str(int(value) + 1), "Replace": True}])
        if conditional:
            put["Expected"] = {"Name": "n", "Value": value}
        try:
            sdb.put_attributes(**put)
            break
        except ClientError as e:
            if e.response["Error"]["Code"] != "ConditionalCheckFailed":
                raise
            consistent = True
final = {a["Name"]: a["Value"] for a in sdb.get_attributes(DomainName="counters", ItemName="c", ConsistentRead=True)["Attributes"]}["n"]
print(f"counter: {final} after {N} increments")
sys.exit(0 if final == str(N) else 1)
