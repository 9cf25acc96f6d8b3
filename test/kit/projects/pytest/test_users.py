import os


def test_put_then_get(sdb, simpledb_endpoint):
    sdb.create_domain(DomainName="users")
    sdb.put_attributes(DomainName="users", ItemName="u1", Attributes=[{"Name": "name", "Value": "Ada"}])
    out = sdb.get_attributes(DomainName="users", ItemName="u1", ConsistentRead=True)
    assert out["Attributes"] == [{"Name": "name", "Value": "Ada"}]
    # Lets the test that runs this project check afterwards that nothing listens there any more.
    if os.environ.get("KIT_REPORT"):
        with open(os.environ["KIT_REPORT"], "w") as report:
            report.write(simpledb_endpoint)


def test_same_emulator_for_the_session(sdb):
    assert "users" in sdb.list_domains()["DomainNames"]


def test_reset_empties_it(sdb, reset_simpledb):
    assert sdb.list_domains().get("DomainNames", []) == []
