import { PropsWithChildren } from 'react'
import { useLaunch } from '@tarojs/taro'

function App({ children }: PropsWithChildren) {
  useLaunch(() => {})
  // children 是将要渲染的页面 · children is the page being rendered
  return children
}

export default App
