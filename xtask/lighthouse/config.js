// Lighthouse's defaults for performance, with every script listed in
// bootup-time (its default hides scripts under 50 ms, and the widget's budget is 20 ms).
export default {
  extends: 'lighthouse:default',
  settings: { onlyCategories: ['performance'] },
  audits: [{ path: 'bootup-time', options: { thresholdInMs: 0 } }],
};
