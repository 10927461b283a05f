"""Row helpers for the long-tail tables: P (a provider and its rules), R (a prefixed
rule), N (a rule anchored on the provider's name), one (a provider with one rule whose
name and description follow from the row)."""
def P(name, cat, rotate, *rules):
    return {'name': name, 'cat': cat, 'rotate': rotate, 'rules': list(rules)}
def R(id, title, value, desc, names=None, **kw):
    d = {'id': id, 'title': title, 'value': value, 'desc': desc}
    if names: d['names'] = names
    d.update(kw)
    return d
def N(id, title, value, desc, names, **kw):
    return R(id, title, value, desc, names=names, **kw)

import re as _re

def _shape(v):
    if v == 'uuid': return 'a UUID'
    m = _re.fullmatch(r'(hex|HEX|xhex|alnum|lower|upper|b64u|b64):(\d+)(?:-(\d+))?=?', v)
    if m:
        n = m.group(2) + ('' if not m.group(3) else ' to ' + m.group(3))
        word = {'hex': 'hex characters', 'HEX': 'upper-case hex characters', 'xhex': 'hex characters',
                'alnum': 'alphanumerics', 'lower': 'lower-case alphanumerics', 'upper': 'upper-case alphanumerics',
                'b64u': 'URL-safe characters', 'b64': 'base64 characters'}[m.group(1)]
        return f'{n} {word}'
    lit = _re.match(r'"([^"]+)"', v)
    if lit: return lit.group(1) + '…'
    return None

def _art(w):
    return 'an' if w[:1].lower() in 'aeiou8' or w[:2] in ('11', '18') else 'a'

def S(name, cat, rotate, value, what, names=None, cred='API key', id=None, **kw):
    slug = _re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')
    rid = id or slug + '-' + _re.sub(r'[^a-z0-9]+', '-', cred.lower()).strip('-')
    shape = _shape(value)
    if names:
        env = _re.sub(r'[^A-Za-z0-9]+', '_', names[0]).upper()
        desc = f"{_art(name).capitalize()} {name} {cred}" + (f" ({shape})" if shape else '') + f" under {_art(env)} {env}_ name: it {what}."
    else:
        desc = f"{_art(name).capitalize()} {name} {cred}" + (f" ({shape})" if shape else '') + f": it {what}."
    r = R(rid, f"{name} {cred}", value, desc, names=names, **kw)
    return r

def V(name, cat, rotate, *rules):
    return P(name, cat, rotate, *rules)

def one(name, cat, rotate, value, what, names=None, **kw):
    return P(name, cat, rotate, S(name, cat, rotate, value, what, names, **kw))
