"""The page runs under its Content-Security-Policy: every browser test's page loads with no
violation (open_page fails a test on any console error, which a violation is), and a script
injected inline, as an attack would, is refused."""


def test_the_playground_runs_under_the_policy(open_page):
    page = open_page("dataset=remember")  # the recurrent views too
    page.click("#btn-play")
    page.wait_for_function("() => window.backpropLab.lastFrameStep > 10")


def test_an_injected_inline_script_is_refused(browser, server_url):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(server_url)
    page.wait_for_selector("body[data-connected=true]", timeout=15000)
    directive = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective));
            setTimeout(() => resolve('no violation in 5 s'), 5000);  // the script ran: fail, not hang
            const s = document.createElement('script');
            s.textContent = 'window.injected = true';
            document.body.append(s);
        })"""
    )
    assert directive.startswith("script-src"), directive
    assert page.evaluate("window.injected === undefined")
    ctx.close()
