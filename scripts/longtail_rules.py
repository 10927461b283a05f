#!/usr/bin/env python3
"""Write the long-tail provider rule files (rules/ai-longtail.toml, devtools-a-l.toml,
saas-a-l.toml, statsig.toml) from the tables in scripts/longtail/.

Each table row states a provider's documented format: a prefix and a charset and length
(`"apify_api_" alnum:36`), or a bare value (`hex:32`, `uuid`) that counts only under the
provider's name. This script turns a row into a rule with a regex, keywords, an entropy
floor, two examples at the format's edges (shortest and longest, charset ends) drawn from
a seeded generator, and negatives (a placeholder of the right shape, a value one short,
and for name-anchored rules the same value under another name). `cargo test --test rules`
then proves every example through the whole pipeline.

    python3 scripts/longtail_rules.py
"""
import importlib, json, math, os, random, re, sys

CS = {
    'hex': 'a-f0-9', 'HEX': 'A-F0-9', 'xhex': 'a-fA-F0-9', 'alnum': 'A-Za-z0-9',
    'lower': 'a-z0-9', 'upper': 'A-Z0-9', 'b64u': 'A-Za-z0-9_\\-', 'b64': 'A-Za-z0-9+/',
    'alpha': 'A-Za-z', 'digit': '0-9', 'UPPER': 'A-Z', 'b58': '1-9A-HJ-NP-Za-km-z',
    'b32': 'A-Z2-7', 'b32l': 'a-z2-7', 'bech32': 'ac-hj-np-z02-9',
}
def chars(cls):
    out = []
    s = CS[cls].replace('\\-', '-')
    i = 0
    while i < len(s):
        if i + 2 < len(s) and s[i+1] == '-':
            out += [chr(c) for c in range(ord(s[i]), ord(s[i+2]) + 1)]; i += 3
        else:
            out.append(s[i]); i += 1
    return out

def parse_value(spec):
    """'"pk_" hex32' / 'uuid' / 'alnum32-40' -> list of parts."""
    parts = []
    for tok in re.findall(r'"[^"]*"|\S+', spec):
        if tok.startswith('"'):
            parts.append(('lit', tok[1:-1]))
        elif tok == 'uuid':
            parts.append(('uuid', False))
        elif tok == 'UUID':
            parts.append(('uuid', True))
        else:
            m = re.fullmatch(r'([A-Za-z0-9]+):(\d+)(?:-(\d+))?(=?)', tok)
            assert m and m.group(1) in CS, tok
            lo = int(m.group(2)); hi = int(m.group(3) or lo)
            parts.append(('cs', m.group(1), lo, hi))
            if m.group(4):
                parts.append(('pad',))
    return parts

def part_regex(parts):
    r = ''
    for p in parts:
        if p[0] == 'lit':
            r += re.escape(p[1]).replace('\\_', '_')
        elif p[0] == 'uuid':
            h = 'A-F0-9' if p[1] else 'a-f0-9'
            h = f'[{h}]'
            r += f'{h}{{8}}-{h}{{4}}-{h}{{4}}-{h}{{4}}-{h}{{12}}'
        elif p[0] == 'pad':
            r += '={0,2}'
        else:
            _, cls, lo, hi = p
            q = f'{{{lo}}}' if lo == hi else f'{{{lo},{hi}}}'
            r += f'[{CS[cls]}]{q}'
    return r

def gen_value(parts, rng, edge):
    """edge 0: shortest, low charset end first; edge 1: longest, high end first."""
    out = ''
    for p in parts:
        if p[0] == 'lit':
            out += p[1]
        elif p[0] == 'uuid':
            u = ''.join(rng.choice('0123456789abcdef') for _ in range(32))
            u = u.upper() if p[1] else u
            out += f'{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}'
        elif p[0] == 'pad':
            pass
        else:
            _, cls, lo, hi = p
            n = lo if edge == 0 else hi
            cs = chars(cls)
            s = [rng.choice(cs) for _ in range(n)]
            if n >= 4:
                s[1] = cs[0] if edge == 0 else cs[-1]
                s[-2] = cs[-1] if edge == 0 else cs[0]
            out += ''.join(s)
    return out

def entropy(s):
    c = {}
    for ch in s: c[ch] = c.get(ch, 0) + 1
    return -sum(v/len(s)*math.log2(v/len(s)) for v in c.values())

def placeholderish(s):
    l = s.lower()
    for w in ['xxxx','example','dummy','lorem','your','test','sample','insert','redact','change']:
        if w in l: return True
    for i in range(len(s) - 5):
        w = s[i:i+6]
        if len(set(w)) == 1: return True
        if all(ord(w[k+1]) - ord(w[k]) == 1 for k in range(5)): return True
        if all(ord(w[k+1]) - ord(w[k]) == -1 for k in range(5)): return True
    for i in range(len(s) - 10):
        w = s[i:i+11:2]
        if all(ord(w[k+1]) - ord(w[k]) in (0, 1, -1) for k in range(5)) and w[0].isalnum(): return True
    return False

def name_variants(name):
    """'abuse ipdb' -> regex and keyword list; spaces mean an optional separator."""
    words = name.lower().split()
    if len(words) == 1:
        return re.escape(words[0]), [words[0]]
    kws = set()
    for sep in ['', '_', '-', '.', ' ']:
        kws.add(sep.join(words))
    return '[_\\-. ]?'.join(re.escape(w) for w in words), sorted(kws)

TRAIL = '(?:[^A-Za-z0-9_\\-]|$)'
TRAIL64 = '(?:[^A-Za-z0-9_\\-+/=]|$)'
LEAD = '(?:^|[^A-Za-z0-9_\\-])'
# The credential words one of which must follow the provider's name.
KEYWORDS = 'key|token|secret|auth|credential|pass(?:word)?'

def build_named(names, secret_re):
    """The provider's name, as a whole word (not `frontend` for `front`), then within 40
    characters a credential word, an assignment and the value."""
    anycase, camel = [], []
    kws = []
    for n in names:
        r, k = name_variants(n)
        anycase.append(r)
        kws += k
        words = n.lower().split()
        camel += [re.escape(''.join(words)), re.escape(''.join(w.capitalize() for w in words))]
    pre = ('(?:^|[^A-Za-z0-9])(?:(?i:' + '|'.join(anycase) + ')[^A-Za-z0-9\\n][^\\n"\'`]{0,40}?|(?:'
           + '|'.join(dict.fromkeys(camel)) + ')(?:[A-Z][^\\n"\'`]{0,40}?)?)')
    regex = (pre + '(?i:' + KEYWORDS + ')[\\w.\\-]{0,12}["\'`\\]]{0,2}'
             '[\\s:=?>,(]{1,6}["\'`]?(?P<secret>' + secret_re + ')')
    return regex, sorted(set(kws))

def toml_str(s):
    return json.dumps(s, ensure_ascii=False)

def env_name(n):
    return re.sub(r'[^A-Za-z0-9]+', '_', n).upper().strip('_')

def render(path, header, providers, rng, seen_ids):
    out = [header.rstrip() + '\n']
    for p in providers:
        out.append(f'\n[vendors.{toml_str(p["name"])}]\ncategory = "{p["cat"]}"\nrotate = "{p["rotate"]}"\n')
    for p in providers:
        for r in p['rules']:
            out.append(render_rule(p, r, rng, seen_ids))
    open(path, 'w').write(''.join(out))

def render_rule(p, r, rng, seen_ids):
    rid = r['id']
    assert rid not in seen_ids, rid
    seen_ids.add(rid)
    parts = parse_value(r['value'])
    sre = part_regex(parts)
    ends64 = any(p_[0] == 'pad' for p_ in parts) or (parts[-1][0] == 'cs' and parts[-1][1] == 'b64')
    trail = TRAIL64 if ends64 else TRAIL
    named = r.get('names')
    first_lit = parts[0][1] if parts[0][0] == 'lit' else None
    if named:
        regex, kws = build_named(named, sre)
        regex += trail
    else:
        assert first_lit and len(first_lit) >= 3, rid
        if r.get('lit_ok'):
            # The literal stays outside the secret, so the value filter judges the drawn
            # part and not the literal's own words.
            regex = LEAD + part_regex(parts[:1]) + '(?P<secret>' + part_regex(parts[1:]) + ')' + trail
        else:
            regex = LEAD + '(?P<secret>' + sre + ')' + trail
        kws = [first_lit.lower()]
    if r.get('kw'):
        kws = r['kw']
    kind = r.get('kind', 'secret-key')
    public = kind == 'public-identifier'
    if public:
        sev, ss = 'note', 1.0
    elif named:
        sev, ss = r.get('sev', 'warning'), r.get('ss', 6.5)
    else:
        sev, ss = r.get('sev', 'error'), r.get('ss', 7.5)
    prec = r.get('prec', 'medium' if named else 'high')
    # entropy floor by charset
    cls = [p_[1] for p_ in parts if p_[0] == 'cs']
    rand_len = sum(p_[2] for p_ in parts if p_[0] == 'cs') + 32 * sum(1 for p_ in parts if p_[0] == 'uuid')
    only_hex = all(c in ('hex', 'HEX', 'xhex', 'digit') for c in cls) or not cls
    ent = r.get('entropy', 3.0 if only_hex or rand_len < 20 else 3.5)
    if rand_len < 12:
        ent = 2.5
    env = r.get('env') or env_name((named or [p['name']])[0]) + '_' + r.get('suffix', 'API_KEY')
    # examples at the edges
    exs = []
    for edge in (0, 1):
        for _ in range(200):
            v = gen_value(parts, rng, edge)
            # A literal that itself reads as a placeholder (Roblox's cookie warning says
            # "your") is judged on the drawn part alone.
            drawn = v.replace(first_lit, '', 1) if r.get('lit_ok') and first_lit else v
            if entropy(v) > ent + 0.15 and not placeholderish(drawn):
                break
        else:
            raise SystemExit(f'{rid}: cannot draw a value')
        exs.append(v)
    short_name = (named or [p['name']])[0]
    camel = ''.join(w.capitalize() for w in re.split(r'[^A-Za-z0-9]+', short_name) if w)
    var = env.lower()
    form = r.get('form') or ('yaml' if r.get('kw') or rng.random() < 0.5 else 'call')
    examples = [f'{env}={exs[0]}',
                f'{var}: "{exs[1]}"' if form == 'yaml' else f'{camel}(api_key="{exs[1]}")']
    # negatives: placeholder of the right shape, a value of the wrong length, and for
    # named rules the same value under a name that is not the provider's
    ph = re.sub(r'[A-Za-z0-9]', 'x', exs[0][len(first_lit):] if first_lit else exs[0])
    negs = [f'{env}={(first_lit or "")}{ph}']
    last = parts[-1]
    if last[0] == 'cs' and last[2] > 1:
        negs.append(f'{env}={exs[0][:-1]}')
    if named:
        negs.append(f'OTHER_SERVICE_TOKEN={exs[1]}')
    # A row's own negatives (a name inside a longer word: MODIFY_API_KEY is not Dify's),
    # with the value drawn for the first example.
    negs += [n.format(value=exs[0]) for n in r.get('negs', [])]
    desc = r['desc']
    refs = r.get('refs') or [p['rotate']]
    lines = [
        '\n[[rules]]',
        f'id = "{rid}"',
        f'name = {toml_str(r["title"])}',
        f'provider = {toml_str(p["name"])}',
        f'kind = "{kind}"',
        f'description = {toml_str(desc)}',
        f'severity = "{sev}"',
        f'security_severity = {ss}',
        f'precision = "{prec}"',
        'keywords = [' + ', '.join(toml_str(k) for k in kws) + ']',
        f"regex = '''{regex}'''",
        f'entropy = {ent}',
    ]
    if public:
        lines.append('public_identifier = true')
    lines += [
        'references = [' + ', '.join(toml_str(u) for u in refs) + ']',
        'examples = [',
        *[f'  {toml_str(e)},' for e in examples],
        ']',
        'negative_examples = [',
        *[f'  {toml_str(e)},' for e in negs],
        ']',
        '',
    ]
    return '\n'.join(lines)

TABLES = ['ai', 'devtools', 'saas', 'statsig', 'formats3', 'named4']

if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    sys.path.insert(0, os.path.join(here, 'longtail'))
    # One seeded generator drawn in table order: the same tables give the same files.
    rng = random.Random(15)
    seen = set()
    for name in TABLES:
        table = importlib.import_module(name)
        render(os.path.join(root, table.PATH), table.HEADER, table.PROVIDERS, rng, seen)
        print(table.PATH, len(table.PROVIDERS), sum(len(p['rules']) for p in table.PROVIDERS))
