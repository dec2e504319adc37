package dev.punctual.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through its chromedriver. A
 * tenant signs in, creates a job through the form (a field error first), watches it fire against a
 * local target, opens the run's attempts, pauses and resumes it, replays a failed run from the
 * failures view after a dry run, never sees another tenant's jobs, and signs out; the admin sees
 * tenants and nodes. Each view's screenshot goes to {@code target/screenshots/} (the ones in {@code
 * docs/screenshots/} are copies).
 */
// The dashboard has no SQL of its own (its pages call the API, whose ITs run on both databases):
// .ci/run's server pass skips the browser (excludedGroups).
@Tag("browser")
class DashboardBrowserIT extends ApiTestBase {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path SCREENSHOTS = Path.of("target/screenshots");

  private static TargetServer target;
  private WebDriver browser;

  @BeforeAll
  static void startTarget() throws IOException {
    target = new TargetServer();
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterAll
  static void stopTarget() {
    target.close();
  }

  @BeforeEach
  void startBrowser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // the CI machine runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,1200",
        "--lang=en-GB");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(
                new File(System.getProperty("chromedriver", "/usr/bin/chromedriver")))
            .build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().implicitlyWait(Duration.ZERO);
  }

  @AfterEach
  void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  private String ui(String hash) {
    return "http://127.0.0.1:" + port + "/ui/" + hash;
  }

  private WebElement find(String css) {
    return await("element shown: " + css)
        .atMost(WAIT)
        .pollDelay(Duration.ZERO)
        .ignoreExceptions()
        .until(() -> browser.findElement(By.cssSelector(css)), WebElement::isDisplayed);
  }

  private void waitForText(String css, String text) {
    try {
      await("element " + css + " shows " + text)
          .atMost(WAIT)
          .pollDelay(Duration.ZERO)
          .ignoreExceptions()
          .until(() -> browser.findElement(By.cssSelector(css)).getText(), t -> t.contains(text));
    } catch (ConditionTimeoutException timeout) {
      throw new AssertionError(
          "No \"" + text + "\" in " + css + " within " + WAIT + "; the page says:\n" + pageText(),
          timeout);
    }
  }

  /** What the page shows (a form's errors, a sign-in form, an error line), for a failure. */
  private String pageText() {
    try {
      screenshot("failed-" + System.nanoTime());
      return browser.getCurrentUrl() + "\n" + browser.findElement(By.tagName("body")).getText();
    } catch (RuntimeException | IOException unreadable) {
      return "(unreadable: " + unreadable + ")";
    }
  }

  /**
   * Clicks what the selector finds once it is shown, again if the page replaced it in between (a
   * view redrawing on its timer) or something covered it: a click either lands on it or throws.
   */
  private void click(String css) {
    await("the page's rows")
        .atMost(WAIT)
        .pollDelay(Duration.ZERO)
        .ignoreExceptions()
        .until(
            () -> {
              WebElement element = browser.findElement(By.cssSelector(css));
              if (!element.isDisplayed()) {
                return false;
              }
              element.click();
              return true;
            });
  }

  private void screenshot(String name) throws IOException {
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  private void signIn(String key) {
    browser.get(ui(""));
    find("#key").sendKeys(key);
    click("form.sign-in button[type=submit]");
  }

  private void type(WebElement input, String text) {
    input.clear();
    input.sendKeys(text);
  }

  private WebElement field(String path) {
    return find(
        "[data-field='"
            + path
            + "'] input, [data-field='"
            + path
            + "'] select, [data-field='"
            + path
            + "'] textarea");
  }

  @Test
  void aTenantWorksThroughEveryViewInABrowser() throws IOException {
    Api tenant = newTenant();
    Api other = newTenant();
    Api.Response hidden = other.post("/api/v1/jobs", cronJob("other-tenants-job"));
    String hiddenId = hidden.body().path("id").asString();

    // A job that fails (its target answers 500 until fixed), to replay from the failures view;
    // it sends a credential, which no page may show.
    String secret = "secret-value-" + UUID.randomUUID();
    String switchName = "dash-" + UUID.randomUUID();
    Api.Response failing =
        tenant.post(
            "/api/v1/jobs",
            Map.of(
                "name", "failing-report",
                "schedule", Map.of("at", Instant.now().toString()),
                "target",
                    Map.of(
                        "url", target.url("/switch/" + switchName),
                        "headers", Map.of("Authorization", "Bearer " + secret)),
                "retry", Map.of("maxAttempts", 1)));
    assertThat(failing.status()).as(failing.toString()).isEqualTo(201);

    signIn(tenant.key());
    find("#card-last-hour");
    await("a run on record")
        .atMost(WAIT)
        .until(() -> !tenant.get("/api/v1/runs").body().path("items").isEmpty());
    browser.navigate().refresh();
    waitForText("#card-last-hour", "1 failed");
    find("section.two");

    // The page's own origin, with the session's cookie, but without the CSRF token: refused.
    Object status =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "fetch('/api/v1/jobs', {method: 'POST', credentials: 'same-origin',"
                    + " headers: {'Content-Type': 'application/json'},"
                    + " body: JSON.stringify({name: 'forged', schedule: {interval: 'PT1H'},"
                    + " target: {url: 'https://example.com/'}})}).then(r => done(r.status));");
    assertThat(status).isEqualTo(403L);
    assertThat(tenant.get("/api/v1/jobs?namePrefix=forged").body().path("items")).isEmpty();
    // The cookie is out of the page's scripts' reach.
    assertThat(((JavascriptExecutor) browser).executeScript("return document.cookie"))
        .isEqualTo("");

    // The jobs list: another tenant's job is not there, nor reachable by its id.
    browser.get(ui("#/jobs"));
    waitForText("main table", "failing-report");
    assertThat(browser.findElement(By.cssSelector("main")).getText())
        .doesNotContain("other-tenants-job");
    browser.get(ui("#/jobs/" + hiddenId));
    waitForText("main", "Could not load");
    assertThat(browser.findElement(By.cssSelector("main")).getText())
        .doesNotContain("other-tenants-job");

    // The form: a field error as the API gives it, a DST gap marked in the preview, then a job.
    browser.get(ui("#/jobs/new"));
    type(field("name"), "browser-job");
    type(field("schedule.cron"), "30 2 * 3 SUN");
    type(field("schedule.timezone"), "Europe/Berlin");
    waitForText("#preview", "GAP");
    // 02:30 does not exist on the last Sunday of March in Berlin: fired at 03:00 and marked.
    assertThat(browser.findElement(By.cssSelector("#preview li.dst")).getText())
        .contains("2027-03-28 03:00:00+02:00");
    screenshot("job-form-preview");
    type(field("schedule.cron"), "61 * * * *");
    type(field("target.url"), target.url("/ok"));
    click("#save");
    waitForText("[data-field='schedule.cron'] .field-error", "schedule.cron");
    assertThat(field("schedule.cron").getAttribute("aria-invalid")).isEqualTo("true");
    screenshot("job-form-error");
    find("[data-field='schedule.cron']").isDisplayed();
    browser.findElement(By.cssSelector("input[name=kind][value=interval]")).click();
    type(field("schedule.interval"), "PT2S");
    click("#save");

    // The job's page: its run appears without a reload, and its attempts open.
    waitForText("main h1", "browser-job");
    waitForText("#runs ~ .table-wrap, section[aria-labelledby=runs]", "SUCCEEDED");
    screenshot("job");
    click("section[aria-labelledby=runs] tbody tr a");
    waitForText("section[aria-labelledby=attempts]", "SUCCEEDED");
    assertThat(browser.findElement(By.cssSelector("[data-attempt='1']")).getText()).contains("200");

    // Edit: the form comes filled in, and a save keeps what it does not show.
    browser.navigate().back();
    click("a.button[href$='/edit']");
    waitForText("main h1", "Edit browser-job");
    assertThat(field("schedule.interval").getAttribute("value")).isEqualTo("PT2S");
    type(field("description"), "Made in the browser");
    click("#save");
    waitForText("dl.definition", "Made in the browser");
    JsonNode edited = onlyJob(tenant, "browser-job");
    assertThat(edited.path("version").asLong()).isEqualTo(2);
    assertThat(edited.path("schedule").path("interval").asString()).isEqualTo("PT2S");

    // Pause and resume.
    click("#pause");
    waitForText("main h1", "PAUSED");
    assertThat(onlyJob(tenant, "browser-job").path("state").asString()).isEqualTo("PAUSED");
    click("#resume");
    waitForText("main h1", "ACTIVE");

    // The failures view: a dry run first, then the replay, which succeeds once the target is fixed.
    browser.get(ui("#/failures"));
    waitForText("main table", "failing-report");
    screenshot("failures");
    // The failed run: its attempt, and its request with the credential as ***.
    browser.findElement(By.linkText(failedRunId(tenant))).click();
    waitForText("#request-headers", "Authorization: ***");
    waitForText("section[aria-labelledby=attempts]", "500");
    assertThat(browser.getPageSource()).doesNotContain(secret);
    screenshot("run");
    browser.navigate().back();
    waitForText("main table", "failing-report");
    click("#replay-all");
    waitForText("#replay-plan", "1 run(s) would be replayed");
    assertThat(tenant.get("/api/v1/runs").body().path("items")).hasSize(1);
    target.fix(switchName);
    click("#replay-all-confirm");
    waitForText("#replay-plan", "1 replay(s) made");
    await("the job page's state")
        .atMost(WAIT)
        .until(
            () ->
                target.deliveries(d -> d.path().equals("/switch/" + switchName)).size() == 2
                    && tenant
                        .get("/api/v1/jobs/" + failing.body().path("id").asString() + "/runs")
                        .body()
                        .path("items")
                        .get(0)
                        .path("status")
                        .asString()
                        .equals("SUCCEEDED"));

    browser.get(ui("#/"));
    waitForText("#card-last-hour", "ok");
    find("section.two");
    screenshot("overview");

    // A phone's width: the jobs list still reads.
    browser.manage().window().setSize(new Dimension(390, 844));
    browser.get(ui("#/jobs"));
    waitForText("main table", "browser-job");
    screenshot("jobs-phone");
    browser.manage().window().setSize(new Dimension(1280, 1200));
    browser.get(ui("#/jobs"));
    waitForText("main table", "browser-job");
    screenshot("jobs");

    // Trigger now, then delete (after a confirmation): the job is gone.
    browser.findElement(By.linkText("browser-job")).click();
    waitForText("main h1", "browser-job");
    click("#trigger");
    waitForText("#status", "due now");
    await("the failures page's rows")
        .atMost(WAIT)
        .until(
            () ->
                tenant
                    .get(
                        "/api/v1/jobs/"
                            + onlyJob(tenant, "browser-job").path("id").asString()
                            + "/runs")
                    .body()
                    .toString()
                    .contains("MANUAL"));
    click("#delete");
    click("#delete-confirm");
    waitForText("main h1", "Jobs");
    assertThat(tenant.get("/api/v1/jobs?namePrefix=browser-job").body().path("items")).isEmpty();

    // Sign out: the form is back, and the session is gone on the server too.
    click("#sign-out");
    find("#key");
    browser.navigate().refresh();
    find("#key");
    assertThat(browser.findElement(By.cssSelector("#top")).isDisplayed()).isFalse();
  }

  private static String failedRunId(Api tenant) {
    return tenant.get("/api/v1/runs").body().path("items").get(0).path("id").asString();
  }

  /** The tenant's one job whose name starts with {@code prefix}. */
  private static JsonNode onlyJob(Api tenant, String prefix) {
    JsonNode items = tenant.get("/api/v1/jobs?namePrefix=" + prefix).body().path("items");
    assertThat(items).hasSize(1);
    return items.get(0);
  }

  /** An edit through the form sends the whole job back: what the form does not show is kept. */
  @Test
  void anEditKeepsWhatTheFormDoesNotShow() {
    Api tenant = newTenant();
    Api.Response made =
        tenant.post(
            "/api/v1/jobs",
            Map.of(
                "name",
                "bounded",
                "schedule",
                Map.of(
                    "cron", "0 9 * * *",
                    "timezone", "Europe/Berlin",
                    "notAfter", "2030-01-01T00:00:00Z"),
                "target",
                Map.of(
                    "url", "https://example.com/hook",
                    "timeout", "PT7S",
                    "headers", Map.of("X-Api-Token", "secret-value-" + UUID.randomUUID())),
                "pauseAfterFailures",
                4));
    assertThat(made.status()).as(made.toString()).isEqualTo(201);
    String id = made.body().path("id").asString();
    signIn(tenant.key());
    find("#card-last-hour");
    browser.get(ui("#/jobs/" + id + "/edit"));
    waitForText("main h1", "Edit bounded");
    // The preview fills in after the form is shown: nothing below it may move then, or a click
    // aimed at Save lands on whatever moved under the pointer. Its box is as high empty as full.
    find("#preview li");
    Number moved =
        (Number)
            ((JavascriptExecutor) browser)
                .executeScript(
                    """
                    const preview = document.getElementById('preview');
                    const save = () => document.getElementById('save').getBoundingClientRect().top;
                    const full = save();
                    const shown = [...preview.childNodes];
                    preview.replaceChildren();
                    const empty = save();
                    preview.replaceChildren(...shown);
                    return full - empty;
                    """);
    assertThat(moved.doubleValue()).as("Save moves when the preview fills in").isZero();
    type(field("description"), "edited");
    click("#save");
    waitForText("dl.definition", "edited");
    JsonNode job = tenant.get("/api/v1/jobs/" + id).body();
    assertThat(job.path("version").asLong()).isEqualTo(2);
    assertThat(job.path("schedule").path("notAfter").asString()).isEqualTo("2030-01-01T00:00:00Z");
    assertThat(job.path("target").path("timeout").asString()).isEqualTo("PT7S");
    assertThat(job.path("target").path("headers").path("X-Api-Token").asString()).isEqualTo("***");
    assertThat(job.path("pauseAfterFailures").asInt()).isEqualTo(4);
  }

  @Test
  void aReadKeyLooksButIsOfferedNoChange() {
    Api tenant = newTenant();
    String name = tenant.get("/api/v1/whoami").body().path("tenant").asString();
    String jobId = tenant.post("/api/v1/jobs", cronJob("looked-at")).body().path("id").asString();
    String readKey =
        admin
            .post("/api/v1/tenants/" + name + "/keys", Map.of("scope", "read"))
            .body()
            .path("key")
            .asString();
    signIn(readKey);
    find("#card-last-hour");
    browser.get(ui("#/jobs"));
    waitForText("main table", "looked-at");
    assertThat(browser.findElements(By.cssSelector("a[href='#/jobs/new']"))).isEmpty();
    browser.get(ui("#/jobs/" + jobId));
    waitForText("#read-only", "read key");
    assertThat(browser.findElements(By.cssSelector("#pause, #delete, #trigger"))).isEmpty();
    browser.get(ui("#/failures"));
    find("#read-only");
    assertThat(browser.findElements(By.cssSelector("#replay-all"))).isEmpty();
  }

  @Test
  void theAdminSeesTenantsKeysAndNodes() throws IOException {
    Api tenant = newTenant();
    String name = tenant.get("/api/v1/whoami").body().path("tenant").asString();
    signIn(ADMIN_KEY);
    waitForText("section[aria-labelledby=nodes]", "alive");
    waitForText("section[aria-labelledby=tenants]", name);
    screenshot("admin");
    WebElement scope = find("#scope-" + name);
    new Select(scope).selectByValue("read");
    List<WebElement> buttons =
        scope.findElements(By.xpath("following-sibling::button[normalize-space()='Add key']"));
    buttons.get(0).click();
    waitForText("#shown-once", "pk_");
    String shown = find("#shown-once pre").getText().trim();
    assertThat(tenant.as(shown).get("/api/v1/whoami").body().path("scope").asString())
        .isEqualTo("read");
  }
}
