// <mqtt-panel client="main"> on the App's client: the same socket as the device pages.
Component({});
