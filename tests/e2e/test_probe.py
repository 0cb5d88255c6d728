import time

import pytest

from tests.e2e.conftest import assert_accessible


@pytest.mark.browser
def test_probe(open_tab, site):
    t = time.time()
    tab = open_tab()
    p = tab.page
    r = p.goto(site + "/kurser/grunder/sa-fungerar-chattbotar/")
    print("status", r.status, time.time() - t)
    try:
        p.add_script_tag(path="node_modules/axe-core/axe.min.js")
        print("add_script_tag ok")
    except Exception as e:
        print("add_script_tag err", e)
    print("axe?", p.evaluate("typeof window.axe"))
    t = time.time()
    try:
        assert_accessible(p)
    except BaseException as e:
        print("AXE", e)
    print("axe time", time.time() - t)
    nojs = open_tab(java_script_enabled=False).page
    nojs.goto(site + "/kurser/grunder/sa-fungerar-chattbotar/")
    try:
        print("nojs eval", nojs.evaluate("1+1"))
        assert_accessible(nojs)
        print("nojs axe ok")
    except BaseException as e:
        print("nojs err", e)
    print(tab.requests)

@pytest.mark.browser
def test_probe2(open_tab, site):
    t = time.time()
    p = open_tab().page
    r = p.goto(site + "/")
    print("status", r.status, time.time() - t)
