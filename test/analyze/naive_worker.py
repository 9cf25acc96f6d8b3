"""One process of a naive read-modify-write counter with boto3 (see naive-worker.mjs).

argv[1]: the job as JSON: {endpoint, domain, item, increments, retry?}. With retry, an increment whose
request fails is done again from the read, as a naive application would. Exits 0 when done.
"""
import json
import sys

import boto3
from botocore.config import Config

job = json.loads(sys.argv[1])
sdb = boto3.client(
    "sdb",
    endpoint_url=job["endpoint"],
    region_name="us-east-1",
    aws_access_key_id="AKIDANALYZE",
    aws_secret_access_key="analyze-secret",
    config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
)


def increment():
    out = sdb.get_attributes(DomainName=job["domain"], ItemName=job["item"], ConsistentRead=False)
    n = int(next((a["Value"] for a in out.get("Attributes", []) if a["Name"] == "n"), "0"))
    sdb.put_attributes(
        DomainName=job["domain"],
        ItemName=job["item"],
        Attributes=[{"Name": "n", "Value": str(n + 1), "Replace": True}],
    )


for _ in range(job["increments"]):
    for attempt in range(3):
        try:
            increment()
            break
        except Exception:
            if not job.get("retry") or attempt == 2:
                raise
