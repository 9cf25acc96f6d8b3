"""Real boto 2 and boto3 sessions against a running emulator.

Usage: python3 python_clients.py http://127.0.0.1:PORT ACCESS_KEY SECRET_KEY
Prints one line per client that completed its session; any mismatch raises.
"""
import sys
from urllib.parse import urlparse

import boto
import boto3
from boto.sdb.connection import SDBConnection
from boto.sdb.regioninfo import SDBRegionInfo
from botocore.exceptions import ClientError

url, key, secret = sys.argv[1:4]
host, port = urlparse(url).hostname, urlparse(url).port


def boto2_session():
    conn = SDBConnection(key, secret, is_secure=False, port=port,
                         region=SDBRegionInfo(name='local', endpoint=host))
    conn.create_domain('boto2_dom')
    # lookup() and get_domain() probe with `select * from ... limit 1`.
    dom = conn.lookup('boto2_dom')
    assert dom is not None
    assert conn.lookup('missing_dom') is None
    item = dom.new_item('i1')
    item['color'] = ['red', 'blue']
    item['n'] = '007'
    item.save()
    got = dom.get_item('i1', consistent_read=True)
    assert sorted(got['color']) == ['blue', 'red'], got
    assert got['n'] == '007', got
    dom.put_attributes('i1', {'n': '008'}, replace=True, expected_value=['n', '007'])
    try:
        dom.put_attributes('i1', {'n': '009'}, replace=True, expected_value=['n', '007'])
        raise AssertionError('a stale conditional put succeeded')
    except boto.exception.SDBResponseError as e:
        assert e.status == 409 and e.error_code == 'ConditionalCheckFailed', (e.status, e.error_code)
    dom.batch_put_attributes({'b%02d' % i: {'k': '%03d' % i} for i in range(20)})
    rows = list(dom.select("select k from `boto2_dom` where k > '004' order by k limit 5", consistent_read=True))
    assert [r['k'] for r in rows] == ['%03d' % i for i in range(5, 20)], [r['k'] for r in rows]
    count = list(dom.select("select count(*) from `boto2_dom` where k is not null", consistent_read=True))
    assert count[0]['Count'] == '20', count
    dom.delete_attributes('i1', ['color'])
    assert 'color' not in dom.get_item('i1', consistent_read=True)
    dom.batch_delete_attributes({'b%02d' % i: None for i in range(20)})
    md = dom.get_metadata()
    assert md.item_count == 1, md.item_count
    assert [d.name for d in conn.get_all_domains()] == ['boto2_dom']
    conn.delete_domain('boto2_dom')
    print('boto2 ok')


def boto3_session():
    c = boto3.client('sdb', endpoint_url=url, region_name='us-east-1',
                     aws_access_key_id=key, aws_secret_access_key=secret)
    c.create_domain(DomainName='boto3_dom')
    c.put_attributes(DomainName='boto3_dom', ItemName='i1',
                     Attributes=[{'Name': 'n', 'Value': '0', 'Replace': True},
                                 {'Name': 's', 'Value': ' a b ', 'Replace': True}])
    got = c.get_attributes(DomainName='boto3_dom', ItemName='i1', ConsistentRead=True)['Attributes']
    assert sorted((a['Name'], a['Value']) for a in got) == [('n', '0'), ('s', ' a b ')], got
    try:
        c.put_attributes(DomainName='boto3_dom', ItemName='i1', Attributes=[{'Name': 'n', 'Value': '2'}],
                         Expected={'Name': 'n', 'Value': '1'})
        raise AssertionError('a stale conditional put succeeded')
    except ClientError as e:
        assert e.response['Error']['Code'] == 'ConditionalCheckFailed', e.response
        assert e.response['ResponseMetadata']['HTTPStatusCode'] == 409, e.response
    try:
        c.get_attributes(DomainName='missing_dom', ItemName='x')
        raise AssertionError('no NoSuchDomain')
    except c.exceptions.NoSuchDomain:
        pass
    c.batch_put_attributes(DomainName='boto3_dom', Items=[
        {'Name': 'b%02d' % i, 'Attributes': [{'Name': 'k', 'Value': '%03d' % i}]} for i in range(25)])
    pages = c.get_paginator('select').paginate(
        SelectExpression="select itemName() from `boto3_dom` where k >= '000' order by k limit 7", ConsistentRead=True)
    names = [item['Name'] for page in pages for item in page.get('Items', [])]
    assert names == ['b%02d' % i for i in range(25)], names
    for extra in ('boto3_a', 'boto3_b'):
        c.create_domain(DomainName=extra)
    listed = [d for page in c.get_paginator('list_domains').paginate(MaxNumberOfDomains=1)
              for d in page.get('DomainNames', [])]
    assert listed == ['boto3_a', 'boto3_b', 'boto3_dom'], listed
    md = c.domain_metadata(DomainName='boto3_dom')
    assert md['ItemCount'] == 26 and md['AttributeValueCount'] == 27, md
    for d in ('boto3_dom', 'boto3_a', 'boto3_b'):
        c.delete_domain(DomainName=d)
    print('boto3 ok')


boto2_session()
boto3_session()
