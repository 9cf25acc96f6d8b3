/** One test per operator and output form, against a real SQLite store. */
import { afterAll, describe, expect, test } from 'vitest';
import { Fixture } from './support.js';

const f = new Fixture().put({
  i1: { Title: ['The Right Stuff'], Year: ['1983'], Rating: ['****', '4 stars'], Keyword: ['Book', 'Hardcover'], Price: ['9'] },
  i2: { Title: ['Tim'], Year: ['2008'], Rating: ['****'], Keyword: ['Book'], Price: ['10'] },
  i3: { Title: ['the right stuff'], Year: ['1975'], Rating: ['***'], Keyword: ['Hardcover', 'Paperback'] },
  i4: { Title: ['100%_done\\'], Year: ['1990', '2001'], Rating: ['*****'] },
  i5: { Year: ['1980'], Keyword: ['DVD'] },
});
afterAll(() => f.close());

const q = (where: string) => f.names(`select itemName() from d where ${where}`);

describe('comparison operators (lexicographic, any value)', () => {
  test('=', () => expect(q("Title = 'The Right Stuff'")).toEqual(['i1']));
  test('= is case-sensitive', () => expect(q("Title = 'the right stuff'")).toEqual(['i3']));
  test('!= holds when some value differs; items without the attribute never match', () => {
    expect(q("Keyword != 'Book'")).toEqual(['i1', 'i3', 'i5']);
  });
  test('>', () => expect(q("Year > '1985'")).toEqual(['i2', 'i4']));
  test('>=', () => expect(q("Year >= '1983'")).toEqual(['i1', 'i2', 'i4']));
  test('<', () => expect(q("Year < '1980'")).toEqual(['i3']));
  test('<=', () => expect(q("Year <= '1980'")).toEqual(['i3', 'i5']));
  test('strings compare as strings: 10 < 9', () => expect(q("Price < '9'")).toEqual(['i2']));
});

describe('like', () => {
  test('prefix', () => expect(q("Title like 'The%'")).toEqual(['i1']));
  test('suffix', () => expect(q("Title like '%stuff'")).toEqual(['i3']));
  test('substring', () => expect(q("Title like '%ight%'")).toEqual(['i1', 'i3']));
  test('without % it is equality', () => expect(q("Title like 'Tim'")).toEqual(['i2']));
  test('case-sensitive', () => expect(q("Rating like '****%'")).toEqual(['i1', 'i2', 'i4']));
  test('_ is an ordinary character', () => {
    expect(q("Title like '100%\\_%'")).toEqual([]);
    expect(q("Title like '%_done%'")).toEqual(['i4']);
    expect(q("Title like 'T_m'")).toEqual([]);
  });
  test('\\% is a literal percent sign, \\\\ a backslash', () => {
    expect(q("Title like '100\\%%'")).toEqual(['i4']);
    expect(q("Title like '1\\%%'")).toEqual([]);
    expect(q("Title like '%done\\\\'")).toEqual(['i4']);
  });
  test('% alone matches every item that has the attribute', () => expect(q("Title like '%'")).toEqual(['i1', 'i2', 'i3', 'i4']));
  test('not like: some value does not match', () => {
    expect(q("Rating not like '****%'")).toEqual(['i1', 'i3']);
  });
});

describe('between / in / null', () => {
  test('between is inclusive on both ends', () => expect(q("Year between '1980' and '1983'")).toEqual(['i1', 'i5']));
  test('not between', () => expect(q("Year not between '1976' and '2005'")).toEqual(['i2', 'i3']));
  test('in', () => expect(q("Keyword in ('DVD', 'Paperback')")).toEqual(['i3', 'i5']));
  test('not in', () => expect(q("Keyword not in ('Book', 'Hardcover')")).toEqual(['i3', 'i5']));
  test('is null', () => expect(q('Title is null')).toEqual(['i5']));
  test('is not null', () => expect(q('Price is not null')).toEqual(['i1', 'i2']));
});

describe('every(), combinations, intersection', () => {
  test('every(): all values satisfy, and at least one exists', () => {
    expect(q("every(Rating) = '****'")).toEqual(['i2']);
    expect(q("every(Keyword) != 'Book'")).toEqual(['i3', 'i5']);
  });
  test('and on one attribute needs one value satisfying both', () => {
    expect(q("Year > '1985' and Year < '2000'")).toEqual(['i4']);
    expect(q("Keyword = 'Book' and Keyword = 'Hardcover'")).toEqual([]);
  });
  test('intersection lets different values satisfy each side', () => {
    expect(q("Keyword = 'Book' intersection Keyword = 'Hardcover'")).toEqual(['i1']);
  });
  test('and across attributes combines per item', () => expect(q("Keyword = 'Book' and Year < '2000'")).toEqual(['i1']));
  test('or', () => expect(q("Title = 'Tim' or Keyword = 'DVD'")).toEqual(['i2', 'i5']));
  test('not over one attribute is evaluated per value', () => {
    expect(q("not Keyword = 'Book'")).toEqual(['i1', 'i3', 'i5']);
  });
  test('not over several attributes is item-level', () => {
    expect(q("not (Keyword = 'Book' or Year = '1990')")).toEqual(['i3', 'i5']);
  });
  test('parentheses and precedence: and binds tighter than or', () => {
    expect(q("Title = 'Tim' or Keyword = 'DVD' and Year = '1975'")).toEqual(['i2']);
    expect(q("(Title = 'Tim' or Keyword = 'DVD') and Year = '1980'")).toEqual(['i5']);
  });
  test('is null combines at item level', () => expect(q("Title is null or Title = 'Tim'")).toEqual(['i2', 'i5']));
});

describe('itemName()', () => {
  test('as subject', () => {
    expect(q("itemName() = 'i3'")).toEqual(['i3']);
    expect(q("itemName() > 'i3'")).toEqual(['i4', 'i5']);
    expect(q("itemName() like 'i%' and itemName() != 'i1'")).toEqual(['i2', 'i3', 'i4', 'i5']);
  });
  test('as output: names only', () => {
    expect(f.select("select itemName() from d where Year = '1975'").items).toEqual([{ name: 'i3', attrs: [] }]);
  });
  test('as sort key, both directions', () => {
    expect(f.names('select itemName() from d order by itemName() desc')).toEqual(['i5', 'i4', 'i3', 'i2', 'i1']);
    expect(f.names('select itemName() from d order by itemName() asc')).toEqual(['i1', 'i2', 'i3', 'i4', 'i5']);
  });
});

describe('output and order', () => {
  test('* returns every pair, name then value order', () => {
    expect(f.select("select * from d where Title = 'Tim'").items[0]!.attrs).toEqual([
      ['Keyword', 'Book'], ['Price', '10'], ['Rating', '****'], ['Title', 'Tim'], ['Year', '2008'],
    ]);
  });
  test('explicit list: only those; items holding none are still listed', () => {
    expect(f.select("select Price, `Keyword` from d where Year < '1984'").items).toEqual([
      { name: 'i1', attrs: [['Keyword', 'Book'], ['Keyword', 'Hardcover'], ['Price', '9']] },
      { name: 'i3', attrs: [['Keyword', 'Hardcover'], ['Keyword', 'Paperback']] },
      { name: 'i5', attrs: [['Keyword', 'DVD']] },
    ]);
    expect(f.select("select Nope from d where Title = 'Tim'").items).toEqual([{ name: 'i2', attrs: [] }]);
  });
  test('without order by: item-name byte order', () => {
    const g = new Fixture().put({ b: { x: ['1'] }, B: { x: ['1'] }, é: { x: ['1'] }, a: { x: ['1'] }, '😀': { x: ['1'] }, '\uffff': { x: ['1'] } });
    expect(g.names('select * from d')).toEqual(['B', 'a', 'b', 'é', '\uffff', '😀']);
    g.close();
  });
  test('order by attribute asc: multi-valued items sort by their smallest value, ties by name', () => {
    expect(f.names("select * from d where Year > '0' order by Year")).toEqual(['i3', 'i5', 'i1', 'i4', 'i2']);
  });
  test('order by desc: multi-valued items sort by their largest value', () => {
    expect(f.names("select * from d where Year > '0' order by Year desc")).toEqual(['i2', 'i4', 'i1', 'i5', 'i3']);
    // i1's largest rating is '4 stars' ('4' sorts after '*').
    expect(f.names("select * from d where Rating is not null order by Rating desc")).toEqual(['i1', 'i4', 'i2', 'i3']);
  });
  test('ties by item name ascending in both directions', () => {
    expect(f.names("select * from d where every(Rating) like '*%' order by Rating")).toEqual(['i3', 'i2', 'i4']);
    expect(f.names("select * from d where Keyword = 'Book' order by Keyword desc")).toEqual(['i1', 'i2']);
  });
  test('sort by an attribute some matching items lack: those items are left out', () => {
    expect(f.names("select * from d where Title = 'Tim' or Price = '9' or Year = '1980' order by Price")).toEqual(['i2', 'i1']);
  });
  test('sort attribute constrained by is not null, another by is null', () => {
    expect(f.names('select * from d where Price is null and Title is not null order by Title')).toEqual(['i4', 'i3']);
  });
});

describe('count(*) and limit', () => {
  test('count(*) returns one Domain item with Count', () => {
    expect(f.select("select count(*) from d where Year is not null").items).toEqual([
      { name: 'Domain', attrs: [['Count', '5']] },
    ]);
    expect(f.select("select count(*) from d where Year = 'none'").items).toEqual([{ name: 'Domain', attrs: [['Count', '0']] }]);
  });
  test('count(*) limit caps the count and gives a token', () => {
    const page = f.select('select count(*) from d limit 2');
    expect(page.items[0]!.attrs).toEqual([['Count', '2']]);
    expect(page.nextToken).toBeDefined();
    expect(f.select('select count(*) from d limit 2', page.nextToken).items[0]!.attrs).toEqual([['Count', '2']]);
  });
  test('count(*) may count beyond 2500', () => {
    expect(f.select('select count(*) from d limit 100000').items[0]!.attrs).toEqual([['Count', '5']]);
  });
  test('limit n pages by n', () => {
    const first = f.select('select * from d limit 2');
    expect(first.items.map((i) => i.name)).toEqual(['i1', 'i2']);
    const second = f.select('select * from d limit 2', first.nextToken);
    expect(second.items.map((i) => i.name)).toEqual(['i3', 'i4']);
    const third = f.select('select * from d limit 2', second.nextToken);
    expect(third.items.map((i) => i.name)).toEqual(['i5']);
    expect(third.nextToken).toBeUndefined();
  });
  test('the default page is 100 items, the maximum 2500', () => {
    const g = new Fixture();
    g.put(Object.fromEntries(Array.from({ length: 2600 }, (_, k) => [`k${String(k).padStart(4, '0')}`, { a: ['x'] }])));
    const page = g.select("select itemName() from d where a = 'x'");
    expect(page.items).toHaveLength(100);
    expect(page.nextToken).toBeDefined();
    expect(g.select('select itemName() from d limit 2500').items).toHaveLength(2500);
    expect(g.all("select itemName() from d where a = 'x' order by a limit 2500")).toHaveLength(2600);
    g.close();
  });
  test('no match renders an empty SelectResult', () => {
    expect(f.raw([['SelectExpression', "select * from d where Title = 'none'"]]).result).toBe('');
  });
});

describe('names and values that XML cannot carry', () => {
  test('are returned base64-encoded and can be matched', () => {
    const g = new Fixture({}, 'weird.domain-1').put({ 'it\u0001em': { 'a`b': ['x\u0000y', 'plain'] } });
    const page = g.select("select * from `weird.domain-1` where `a``b` like 'x%'");
    expect(page.items).toEqual([{ name: 'it\u0001em', attrs: [['a`b', 'plain'], ['a`b', 'x\u0000y']] }]);
    expect(g.names("select * from `weird.domain-1` where `a``b` like '%y'")).toEqual(['it\u0001em']);
    expect(g.names("select * from `weird.domain-1` where `a``b` like 'x%y'")).toEqual(['it\u0001em']);
    g.close();
  });
});
