/**
 * The part of selenium-webdriver 4.46 (which ships no types) that engines.ts uses to drive WebKitWebDriver.
 * @example
 *   const driver = await new Builder().usingServer('http://127.0.0.1:4444').withCapabilities(caps).build();
 *   await driver.get(url);
 */
declare module 'selenium-webdriver' {
  export class Capabilities {
    constructor(capabilities?: Record<string, unknown>);
    get(key: string): unknown;
  }
  export class Builder {
    usingServer(url: string): this;
    withCapabilities(capabilities: Capabilities): this;
    /** Resolves to a plain WebDriver once POST /session succeeds. */
    build(): PromiseLike<WebDriver>;
  }
  export interface WebDriver {
    getCapabilities(): Promise<Capabilities>;
    manage(): { setTimeouts(timeouts: { script?: number; pageLoad?: number; implicit?: number }): Promise<void> };
    get(url: string): Promise<void>;
    getWindowHandle(): Promise<string>;
    switchTo(): { window(handle: string): Promise<void>; newWindow(type: 'tab' | 'window'): Promise<void> };
    navigate(): { refresh(): Promise<void> };
    executeAsyncScript<T>(script: string, ...args: unknown[]): Promise<T>;
    takeScreenshot(): Promise<string>;
    close(): Promise<void>;
    quit(): Promise<void>;
  }
}
