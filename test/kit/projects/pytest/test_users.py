def test_put_then_get(sdb):
    sdb.create_domain(DomainName="users")
    sdb.put_attributes(DomainName="users", ItemName="u1", Attributes=[{"Name": "name", "Value": "Ada"}])
    out = sdb.get_attributes(DomainName="users", ItemName="u1", ConsistentRead=True)
    assert out["Attributes"] == [{"Name": "name", "Value": "Ada"}]


def test_same_emulator_for_the_session(sdb):
    assert "users" in sdb.list_domains()["DomainNames"]
